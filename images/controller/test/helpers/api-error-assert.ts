import OpenAI from 'openai';

export interface ExpectedError {
  readonly status: number;
  readonly code: string | null;
  readonly param: string | null;
  readonly message: string;
}

/** What an OpenAI SDK call or a raw fetch failed with, in the API's error shape. */
export async function errorOf(call: () => Promise<unknown>): Promise<ExpectedError & { type: string }> {
  try {
    const out = await call();
    if (out instanceof Response) {
      const body = (await out.json()) as { error?: { message: string; code: string | null; param: string | null; type: string } };
      if (out.ok || body.error === undefined) throw new Error(`expected an error, got HTTP ${out.status}`);
      return { status: out.status, code: body.error.code, param: body.error.param, message: body.error.message, type: body.error.type };
    }
  } catch (err) {
    if (err instanceof OpenAI.APIError) {
      const inner = err.error as { message: string; type: string };
      return { status: err.status ?? 0, code: err.code ?? null, param: err.param ?? null, message: inner.message, type: inner.type };
    }
    throw err;
  }
  throw new Error('expected the call to fail, it succeeded');
}
