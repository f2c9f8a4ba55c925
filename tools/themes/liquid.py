"""Liquid syntax checking for Shopify themes, on python-liquid's parser.

Shopify's Liquid has tags the standard language lacks (``schema``, ``form``, ``section``,
``style``, ``javascript``, ...). They are declared here so that a theme parses as Shopify
would parse it: block tags must be closed and their bodies parse too (``form``, ``paginate``,
``style``), raw blocks are skipped (``schema``'s JSON is checked as JSON, ``javascript`` and
``stylesheet`` are not Liquid), inline tags take any arguments. Nothing is rendered.
"""

from __future__ import annotations

import json
from typing import TextIO

from liquid import Environment
from liquid.ast import BlockNode, Node
from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG

_BLOCKS = ("form", "paginate", "style")
_RAW = ("schema", "javascript", "stylesheet")
_INLINE = ("section", "sections", "layout", "content_for")


class _Node(Node):
    __slots__ = ("block",)

    def __init__(self, token: object, block: BlockNode | None = None) -> None:
        super().__init__(token)  # type: ignore[arg-type]
        self.block = block

    def render_to_output(self, context: object, buffer: TextIO) -> int:
        return 0


def _block_tag(tag_name: str) -> type[Tag]:
    end_name = f"end{tag_name}"

    class Block(Tag):
        name = tag_name
        end = end_name

        def parse(self, stream: TokenStream) -> Node:
            token = stream.eat(TOKEN_TAG)
            if stream.current.kind == TOKEN_EXPRESSION:
                next(stream)
            block = get_parser(self.env).parse_block(stream, frozenset((end_name, TOKEN_EOF)))
            stream.expect(TOKEN_TAG, value=end_name)
            return _Node(token, block)

    return Block


def _raw_tag(tag_name: str) -> type[Tag]:
    end_name = f"end{tag_name}"

    class Raw(Tag):
        name = tag_name
        end = end_name

        def parse(self, stream: TokenStream) -> Node:
            token = stream.eat(TOKEN_TAG)
            if stream.current.kind == TOKEN_EXPRESSION:
                next(stream)
            body: list[str] = []
            while not (stream.current.kind == TOKEN_TAG and stream.current.value == end_name):
                if stream.current.kind == TOKEN_EOF:
                    raise LiquidSyntaxError(f"{tag_name} tag was never closed", token=token)
                body.append(stream.current.value)
                next(stream)
            if tag_name == "schema":
                try:
                    json.loads("".join(body))
                except ValueError as exc:
                    raise LiquidSyntaxError(
                        f"schema is not valid JSON: {exc}", token=token
                    ) from None
            return _Node(token)

    return Raw


def _inline_tag(tag_name: str) -> type[Tag]:
    class Inline(Tag):
        name = tag_name
        block = False

        def parse(self, stream: TokenStream) -> Node:
            token = stream.expect(TOKEN_TAG)
            if stream.peek.kind == TOKEN_EXPRESSION:
                next(stream)  # the parser steps past the tag's last token itself
            return _Node(token)

    return Inline


def shopify_environment() -> Environment:
    env = Environment()
    for name in _BLOCKS:
        env.add_tag(_block_tag(name))
    for name in _RAW:
        env.add_tag(_raw_tag(name))
    for name in _INLINE:
        env.add_tag(_inline_tag(name))
    return env


_ENV = shopify_environment()


def syntax_error(source: str) -> str | None:
    """The first syntax error of ``source`` as ``line N: message``, or None when it parses."""
    try:
        _ENV.parse(source)
    except LiquidError as exc:
        message = getattr(exc, "message", None) or str(exc).splitlines()[0]
        token = getattr(exc, "token", None)
        line = _line_of(source, getattr(token, "start_index", None))
        return f"line {line}: {message}" if line else str(message)
    return None


def _line_of(source: str, index: int | None) -> int | None:
    if index is None:
        return None
    return source.count("\n", 0, index) + 1
