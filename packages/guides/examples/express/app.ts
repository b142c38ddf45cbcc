import { Configuration, FrontendApi, type Session } from "@ory/client";
import express, { type NextFunction, type Request, type Response } from "express";

export interface AppOptions {
  /** Your Olympus domain's public identity URL (the Kratos public API), e.g. https://auth.example.com. */
  olympusUrl: string;
  /** Where people sign in: Hera's login page, e.g. https://auth.example.com/login. */
  loginUrl: string;
}

export function createApp({ olympusUrl, loginUrl }: AppOptions) {
  const olympus = new FrontendApi(new Configuration({ basePath: olympusUrl }));
  const app = express();

  // The session check: forward the browser's cookies to /sessions/whoami. Olympus answers 401 when
  // there is no valid session; anything else is a real error.
  async function requireSession(req: Request, res: Response, next: NextFunction) {
    try {
      const { data: session } = await olympus.toSession({ cookie: req.header("cookie") ?? "" });
      res.locals.session = session;
      next();
    } catch (err) {
      if ((err as { response?: { status?: number } }).response?.status === 401) {
        const returnTo = `${req.protocol}://${req.get("host")}${req.originalUrl}`;
        res.redirect(`${loginUrl}?return_to=${encodeURIComponent(returnTo)}`);
        return;
      }
      next(err);
    }
  }

  app.get("/", requireSession, (_req, res) => {
    const session = res.locals.session as Session;
    const traits = session.identity?.traits as { email?: string };
    res.json({ hello: traits.email, identity: session.identity?.id, since: session.authenticated_at });
  });

  // Signing out: ask Olympus for a logout URL bound to this browser's session and send the browser there.
  app.get("/logout", requireSession, async (req, res, next) => {
    try {
      const { data } = await olympus.createBrowserLogoutFlow({ cookie: req.header("cookie") ?? "" });
      res.redirect(data.logout_url);
    } catch (err) {
      next(err);
    }
  });

  return app;
}
