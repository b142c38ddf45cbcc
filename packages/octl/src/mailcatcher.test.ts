// The real mail catcher (MailDev from npm) through octl: deploy --detach on free ports, a mail sent
// over SMTP shows up in its REST API, and down leaves nothing running.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, expect, it } from "vitest";
import { isAlive } from "./procs.ts";
import {
  cleanup,
  eventually,
  notPrivate,
  freePort,
  octl,
  readStateFile,
  statePids,
  tempHome,
  track,
} from "./testkit.ts";

afterAll(cleanup, 60_000);

interface Mail {
  id: string;
  subject: string;
  text?: string;
  to: { address: string }[];
}

it("deploys MailDev, catches a mail sent over SMTP, and stops it with down", async () => {
  const home = tempHome();
  process.umask(0o000); // octl inherits it; its state directory must not
  const [http, smtp] = [await freePort(), await freePort()];
  const ports = ["--port", `mailcatcher.http=${http}`, "--port", `mailcatcher.smtp=${smtp}`];
  const deploy = await octl(home, ["deploy", "--detach", "--only", "mailcatcher", ...ports]);
  expect(deploy.code, deploy.stderr + deploy.stdout).toBe(0);
  for (const pid of statePids(home)) track(pid);
  expect(deploy.stdout).toContain(`http://localhost:${http}/api/email`);
  expect(deploy.stdout).toContain(`smtp://localhost:${smtp}`);
  expect(deploy.stdout).toContain("Demo credentials");

  const status = await octl(home, ["status", "--json"]);
  const [mc] = JSON.parse(status.stdout);
  expect(mc).toMatchObject({
    name: "mailcatcher",
    status: "healthy",
    port: http,
    url: `http://localhost:${http}`,
  });
  expect(mc.ports).toEqual([
    { name: "http", port: http },
    { name: "smtp", port: smtp },
  ]);
  expect(isAlive(mc.pid)).toBe(true);

  const subject = `octl test ${Date.now()}`;
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: smtp,
    secure: false,
    ignoreTLS: true,
  });
  await transport.sendMail({
    from: "octl@olympus.test",
    to: "someone@olympus.test",
    subject,
    text: "caught?",
  });
  transport.close();

  const api = `http://127.0.0.1:${http}/api`;
  const mail = await eventually("the mail in MailDev's REST API", async () => {
    const list = (await (await fetch(`${api}/email`)).json()) as Mail[];
    return list.find((m) => m.subject === subject);
  });
  expect(mail.to[0]!.address).toBe("someone@olympus.test");
  const one = (await (await fetch(`${api}/email/${mail.id}`)).json()) as Mail;
  expect(one.text?.trim()).toBe("caught?");
  // Finding 5 of the red-team probe: caught mail and logs are private to this account, even when
  // octl is started under a permissive umask.
  const store = join(home, "data", "mailcatcher");
  expect(readdirSync(store).some((f) => f.endsWith(".eml"))).toBe(true);
  expect(notPrivate(store)).toEqual([]);
  expect(notPrivate(join(home, "logs"))).toEqual([]);
  expect(statSync(home).mode & 0o777).toBe(0o700);
  expect((await fetch(`${api}/email/all`, { method: "DELETE" })).ok).toBe(true);
  expect(await (await fetch(`${api}/email`)).json()).toEqual([]);

  const pids = statePids(home);
  expect(pids).toHaveLength(2); // supervisor and MailDev
  expect((await octl(home, ["down"])).code).toBe(0);
  for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  expect(readStateFile(home)!.services[0]!.status).toBe("stopped");
}, 60_000);
