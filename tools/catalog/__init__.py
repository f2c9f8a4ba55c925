"""The catalog as code: product files, their three-way merge, and both ends of the sync."""
