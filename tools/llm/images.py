"""Generated images through an OpenAI-compatible images API (``POST {base}/images/generations``).

Only with a real model configured (``OPENAI_API_KEY``; ``OPENAI_BASE_URL`` for any compatible
server) and an images model chosen (``ROYAL_MODEL_IMAGES``, e.g. ``gpt-image-1``): otherwise
:func:`image_generator` returns ``None`` and nothing is generated — the offline model never,
and a chat-only setup (or an eval cassette recorded without images) is not changed. The
answer is OpenAI's wire format — ``{"created", "data": [{"b64_json"}]}`` — and the image is
decoded, bounded in size and checked to open in Pillow before anyone uses it.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Protocol

import httpx
from PIL import Image
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from settings import Settings

DEFAULT_BASE_URL = "https://api.openai.com/v1"
SIZE = "1024x1024"
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 120.0


class ImageGenerationError(Exception):
    """The images API gave no usable image; the message says why, in a sentence."""


class ImageGenerator(Protocol):
    model: str

    async def generate(self, prompt: str) -> bytes:
        """A PNG/JPEG/WebP image for ``prompt``; raises :class:`ImageGenerationError`."""
        ...


class _ImageData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    b64_json: str | None = None


class ImagesResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    created: int
    data: list[_ImageData]


def request_body(model: str, prompt: str, size: str = SIZE) -> dict[str, object]:
    """The JSON body of one generation."""
    body: dict[str, object] = {"model": model, "prompt": prompt, "n": 1, "size": size}
    # gpt-image models always answer base64 and refuse ``response_format``; DALL·E needs it.
    if model.startswith("dall-e"):
        body["response_format"] = "b64_json"
    return body


def decoded(answer: ImagesResponse) -> bytes:
    """The first image's bytes, checked."""
    first = answer.data[0] if answer.data else None
    if first is None or not first.b64_json:
        raise ImageGenerationError("the images API answered without b64_json image data")
    try:
        data = base64.b64decode(first.b64_json, validate=True)
    except (binascii.Error, ValueError):
        raise ImageGenerationError("the images API answered b64_json that is not base64") from None
    if len(data) > MAX_BYTES:
        raise ImageGenerationError(f"the generated image is larger than {MAX_BYTES} bytes")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (OSError, SyntaxError, Image.DecompressionBombError):
        raise ImageGenerationError("the generated image is not an image Pillow can open") from None
    return data


class OpenAIImages:
    """``ImageGenerator`` over HTTP; one request per image, no retries (a failure falls back)."""

    def __init__(
        self,
        *,
        api_key: SecretStr,
        model: str,
        base_url: str | None = None,
        timeout: float = TIMEOUT_S,
        size: str = SIZE,
    ) -> None:
        self.model = model
        self.size = size
        self._url = f"{(base_url or DEFAULT_BASE_URL).rstrip('/')}/images/generations"
        self._api_key = api_key
        self._timeout = timeout

    async def generate(self, prompt: str) -> bytes:
        headers = {"Authorization": f"Bearer {self._api_key.get_secret_value()}"}
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.post(
                    self._url, json=request_body(self.model, prompt, self.size), headers=headers
                )
        except httpx.HTTPError as exc:
            raise ImageGenerationError(
                f"the images API could not be reached ({type(exc).__name__})"
            ) from None
        if response.status_code != httpx.codes.OK:
            raise ImageGenerationError(
                f"the images API answered {response.status_code}: {_error_message(response)}"
            )
        try:
            answer = ImagesResponse.model_validate_json(response.content)
        except ValidationError:
            raise ImageGenerationError(
                "the images API answered something that is not an images response"
            ) from None
        return decoded(answer)


def _error_message(response: httpx.Response) -> str:
    """OpenAI's ``{"error": {"message"}}``, or the start of whatever else came back."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or "no detail"
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return str(message)[:200] if message else "no detail"


def image_generator(settings: Settings) -> ImageGenerator | None:
    """The configured images API, or None without a key or without an images model."""
    key, model = settings.openai_api_key, settings.royal_model_images
    if key is None or not key.get_secret_value().strip() or not model:
        return None
    return OpenAIImages(api_key=key, model=model, base_url=settings.openai_base_url)
