/**
 * POSTs a JSON body and resolves with the answer ("200 OK: ok"), or rejects with a reason that
 * never contains the URL: a webhook URL's path is its secret.
 */
const TIMEOUT_MS = 10_000;
const MAX_ANSWER = 200;

export class ChannelError extends Error {}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'steward-notify', ...headers },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (e) {
    throw new ChannelError(networkReason(e));
  }
  const text = (await res.text().catch(() => '')).trim().slice(0, MAX_ANSWER);
  const answer = `${res.status} ${res.statusText}${text ? `: ${text}` : ''}`;
  if (!res.ok) throw new ChannelError(`HTTP ${answer}`);
  return answer;
}

function networkReason(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (code === 'ENOTFOUND') return 'unknown host (ENOTFOUND)';
  if (code) return `network error (${code})`;
  // e.g. "bad port" (fetch refuses ports such as 25 or 6000); never a URL, which may hold the secret.
  const why = err.cause?.message?.replace(/\w+:\/\/\S+/g, '<url>').slice(0, 100);
  return why ? `network error (${why})` : 'network error';
}
