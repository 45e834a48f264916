import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { ValidationError } from '../core/errors.ts';
import { describeUnsafeText, findUnsafeText, textProblem, type UnsafeText } from '../core/text-input.ts';

/**
 * The HTTP side of src/core/text-input.ts: every path, query and JSON body is checked once, before any route
 * reads it, so text PostgreSQL would refuse (or that has no place in an id) is a 400 naming where it was,
 * never a 500 from deep inside a transaction.
 */
export const INVALID_TEXT = 'request.invalid_text';

export function invalidText(u: UnsafeText, where: string): ValidationError {
  return new ValidationError(INVALID_TEXT, describeUnsafeText(u, where), { details: { path: u.path.join('.') || where, problem: u.problem } });
}

/** Throws the 400 when anything in `value` is unsafe text. */
export function assertSafeText(value: unknown, where: string): void {
  const u = findUnsafeText(value);
  if (u) throw invalidText(u, where);
}

/**
 * The shared zod refinement: `schema.superRefine(refineSafeText)`. An issue it adds carries
 * `params.code = request.invalid_text`, so a route's parse can answer with that code (see zodFailure).
 */
export function refineSafeText(value: unknown, ctx: z.RefinementCtx): void {
  const u = findUnsafeText(value);
  if (u) ctx.addIssue({ code: 'custom', message: describeUnsafeText(u, 'body'), path: u.path, params: { code: INVALID_TEXT } });
}

/** A zod failure as the ValidationError routes throw: the text problem's code when that is what it was. */
export function zodFailure(error: z.ZodError): ValidationError {
  const text = error.issues.find((i) => i.code === 'custom' && (i.params as { code?: string } | undefined)?.code === INVALID_TEXT);
  if (text) return new ValidationError(INVALID_TEXT, text.message);
  return new ValidationError('request.invalid', error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
}

/** JSON.parse of a request body, then the text check of everything in it. */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('request.malformed_json', 'the body is not valid JSON');
  }
  assertSafeText(value, 'body');
  return value;
}

/**
 * The path as routes see their params (decodeURIComponent). Bytes that are no UTF-8 make that throw: a surrogate
 * half written as %ED%A0%80..%ED%BF%BF is refused as one; any other undecodable escape is left to the router.
 */
function pathProblem(raw: string): ReturnType<typeof textProblem> {
  if (!raw.includes('%')) return textProblem(raw);
  try {
    return textProblem(decodeURIComponent(raw));
  } catch {
    return /%ED%[AB][0-9A-F]/i.test(raw) ? 'lone_surrogate' : textProblem(raw);
  }
}

/**
 * Middleware for every route: the decoded path (ids in it) and each query name and value. Query strings are
 * decoded by URLSearchParams, which turns bytes that are not UTF-8 into U+FFFD, so only the path needs the
 * undecodable check.
 */
export function refuseUnsafeUrl(): MiddlewareHandler {
  return async (c, next) => {
    const url = c.req.url;
    const q = url.indexOf('?');
    const problem = pathProblem(c.req.path);
    if (problem) return c.json({ error: invalidText({ path: [], problem }, 'path').toJSON() }, 400);
    if (q >= 0) {
      for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
        const problem = textProblem(k) ?? textProblem(v);
        if (problem) return c.json({ error: invalidText({ path: [textProblem(k) ? 'query' : k], problem }, 'query').toJSON() }, 400);
      }
    }
    return next();
  };
}
