"""The Phi engine: Phi-3-mini, Phi-3.5-mini or Phi-4-mini on the CPU through onnxruntime-genai."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import onnxruntime_genai as og

from bot import prompts
from bot.engines.base import Generation, GenerationControl, GenerationRequest, OnText
from bot.llm.model_folder import ModelError, ModelFolder, check_folder

# Messages onnxruntime-genai gives for a model the installed runtime cannot read, and what they mean.
_RUNTIME_CAUSES = (
    ("Protobuf parsing failed", "the .onnx file is truncated or corrupt"),
    ("Unknown value", "the model was built for a different onnxruntime-genai version"),
    (
        "JSON Error",
        "genai_config.json has settings this onnxruntime-genai version does not know: the model was"
        " built for a different onnxruntime-genai version",
    ),
    ("Error opening", "a file the model needs cannot be opened"),
    ("external data", "the weights file (.onnx.data) is missing or truncated"),
)


class Phi3Engine:
    """`Phi3Engine(Path("models/phi3"), threads=2).generate(request, on_text=print)`."""

    name = "phi3"

    def __init__(
        self, model_dir: Path, threads: int, prompt_budget: int = 800, reply_budget: int = 320
    ) -> None:
        self.folder: ModelFolder = check_folder(model_dir)
        self.threads = threads
        self.prompt_budget = prompt_budget
        self.reply_budget = reply_budget
        try:
            config = og.Config(str(model_dir))
            config.clear_providers()  # CPU
            # Left unset, the thread count ran at one-thread speed here: set it explicitly.
            overlay = {"model": {"decoder": {"session_options": {"intra_op_num_threads": threads}}}}
            config.overlay(json.dumps(overlay))
            self.model = og.Model(config)
            self.tokenizer = og.Tokenizer(self.model)
        except RuntimeError as error:
            raise ModelError(f"{model_dir}: cannot load the model: {explain(error)}") from error
        self.eos_ids = frozenset(int(i) for i in self.tokenizer.eos_token_ids) | set(
            self.folder.eos_token_ids
        )
        self.model_name = f"{self.folder.name} ({self.model.type})"

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text))

    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt in the model's own chat template (from its tokenizer_config.json)."""
        return str(self.tokenizer.apply_chat_template(json.dumps(messages), add_generation_prompt=True))

    def generate(
        self,
        request: GenerationRequest,
        on_text: OnText | None = None,
        control: GenerationControl | None = None,
    ) -> Generation:
        prompt, input_ids = self.prepare(request)
        text, reply_tokens, stopped = self.run(input_ids, on_text, control)
        flags = [f"stopped:{stopped}"] if stopped else []
        return Generation(
            text=text,
            engine=self.name,
            card_ids=prompt.card_ids,
            model=self.model_name,
            prompt_tokens=len(input_ids),
            reply_tokens=reply_tokens,
            flags=flags,
        )

    def prepare(self, request: GenerationRequest) -> tuple[prompts.Prompt, Any]:
        """The prompt for a request and its token ids, fitted into the context window."""
        cards = [m.card for m in request.matches]
        # The prompt and the reply share the context window; the reply's share is kept free.
        budget = min(self.prompt_budget, self.folder.context_length - self.reply_budget)
        for _ in range(3):  # the budget counts an approximation of the template: re-fit if it overflows
            prompt = prompts.build(
                request.question,
                request.language,
                request.route.topic,
                cards,
                request.history,
                self.count_tokens,
                budget,
                request.context,
            )
            input_ids = self.tokenizer.encode(self.render(prompt.messages))
            overflow = len(input_ids) - (self.folder.context_length - self.reply_budget)
            if overflow <= 0:
                break
            budget -= overflow + 16
        else:
            input_ids = input_ids[-(self.folder.context_length - self.reply_budget) :]
        return prompt, input_ids

    def run(
        self, input_ids: object, on_text: OnText | None = None, control: GenerationControl | None = None
    ) -> tuple[str, int, str | None]:
        """The generation loop: returns the text, the tokens generated, and why it stopped early."""
        prompt_length = len(input_ids)  # type: ignore[arg-type]
        max_length = min(self.folder.context_length, prompt_length + self.reply_budget)
        params = og.GeneratorParams(self.model)
        # The KV cache is preallocated for max_length: set it per request, never the context size.
        params.set_search_options(max_length=max_length)
        generator = og.Generator(self.model, params)
        generator.append_tokens(input_ids)
        stream = self.tokenizer.create_stream()
        pieces: list[str] = []
        generated = 0
        stopped: str | None = None
        while not generator.is_done():
            stopped = control.should_stop() if control else None
            if stopped:
                break
            token = self._next_token(generator)
            generated += 1
            if token in self.eos_ids:
                break
            piece = stream.decode(token)
            if not pieces:
                piece = piece.lstrip()  # the first piece carries the tokenizer's word-start space
                if not piece:
                    continue
            pieces.append(piece)
            if on_text:
                on_text(piece)
        return "".join(pieces).strip(), generated, stopped

    def _next_token(self, generator: og.Generator) -> int:
        generator.generate_next_token()
        return int(generator.get_next_tokens()[0])


def explain(error: Exception) -> str:
    """onnxruntime-genai's error, with the likely cause in plain words."""
    message = str(error)
    for marker, cause in _RUNTIME_CAUSES:
        if marker in message:
            return f"{cause} ({message.strip()[:300]})"
    return message.strip()[:300]
