// The real mail catcher (MailDev from npm) through octl: deploy --detach on free ports, a mail sent
// over SMTP shows up in its REST API, and down leaves nothing running.
import nodemailer from "nodemailer";
import { afterAll, expect, it } from "vitest";
import { isAlive } from "./procs.ts";
import { cleanup, eventually, freePort, octl, readStateFile, statePids, tempHome, track } from "./testkit.ts";

afterAll(cleanup, 60_000);

interface Mail {
  id: string;
  subject: string;
  text?: string;
  to: { address: string }[];
}

it("deploys MailDev, catches a mail sent over SMTP, and stops it with down", async () => {
  const home = tempHome();
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
  expect((await fetch(`${api}/email/all`, { method: "DELETE" })).ok).toBe(true);
  expect(await (await fetch(`${api}/email`)).json()).toEqual([]);

  const pids = statePids(home);
  expect(pids).toHaveLength(2); // supervisor and MailDev
  expect((await octl(home, ["down"])).code).toBe(0);
  for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  expect(readStateFile(home)!.services[0]!.status).toBe("stopped");
}, 60_000);
