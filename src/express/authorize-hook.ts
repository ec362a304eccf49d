import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Decides whether a request may proceed (check a session, a token, a network range). */
export type AuthorizeHook = (req: Request) => boolean | Promise<boolean>;

/**
 * Middleware for an {@link AuthorizeHook}: 403 on a false answer, the error handler on a
 * throw, and nothing at all without a hook.
 */
export function authorizeHandler(hook: AuthorizeHook | undefined): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!hook) return next();
    Promise.resolve()
      .then(() => hook(req))
      .then((allowed) => (allowed ? next() : res.status(403).json({ statusCode: 403, error: 'Forbidden' })))
      .catch(next);
  };
}
