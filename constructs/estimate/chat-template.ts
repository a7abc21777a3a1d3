/**
 * Chat templates the token counter renders exactly, recognised by their Jinja source (whitespace-trimmed). Each
 * renderer reproduces what transformers' `apply_chat_template` produces for that source; any other template is
 * reported as not recognised and its tokens are estimated. Add a template here with a fixture and reference counts.
 */

export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

export interface ChatTemplate {
  readonly name: string;
  render(messages: readonly ChatMessage[], bosToken: string): string;
}

/** Llama 3 header-token layout without the default system block (vpctune/tiny-chat's "llama3" template). */
const LLAMA3_HEADERS_SOURCE = `{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>

'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>

' }}{% endif %}`;

/** ChatML with a default system message when none is given (vpctune/tiny-chat's "chatml" template, Qwen2's default). */
const CHATML_DEFAULT_SYSTEM_SOURCE = `{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
You are a helpful assistant.<|im_end|>
' }}{% endif %}{{'<|im_start|>' + message['role'] + '
' + message['content'] + '<|im_end|>' + '
'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
' }}{% endif %}`;

const KNOWN: readonly (readonly [string, ChatTemplate])[] = [
  [LLAMA3_HEADERS_SOURCE, {
    name: 'llama3 headers',
    render: (messages, bos) =>
      messages.map((m, i) => `${i === 0 ? bos : ''}<|start_header_id|>${m.role}<|end_header_id|>\n\n${pythonStrip(m.content)}<|eot_id|>`).join(''),
  }],
  [CHATML_DEFAULT_SYSTEM_SOURCE, {
    name: 'chatml',
    render: (messages) =>
      (messages[0]?.role !== 'system' ? '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' : '') +
      messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join(''),
  }],
];

/** The renderer for a template source, or undefined when it is not one we render exactly. */
export function recogniseChatTemplate(source: string): ChatTemplate | undefined {
  const wanted = source.trim();
  return KNOWN.find(([s]) => s.trim() === wanted)?.[1];
}

/** Jinja's `trim` (Python `str.strip()`): Unicode whitespace from both ends. */
function pythonStrip(s: string): string {
  return s.replace(/^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/gu, '');
}
