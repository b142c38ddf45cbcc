import net from "node:net";

/**
 * The network faults a TCP proxy between the core and PostgreSQL can inject (test support, see
 * fault-matrix.test.ts):
 *
 * - `cut`: open connections are closed (FIN both ways) and the proxy stops listening (new
 *   connections refused) — the database went away cleanly.
 * - `refuse`: open connections are reset (RST) and new connections refused — a crashed host.
 * - `reset`: open connections are reset and every new connection is accepted and reset at once
 *   (a firewall or load balancer rejecting); the listener stays up.
 * - `stall`: open connections stop forwarding both ways and new connections are accepted and never
 *   answered — a database (or path) that keeps TCP up and says nothing. `restore` resumes forwarding.
 * - `half-open`: the database side of every open connection is closed (PostgreSQL ends those
 *   sessions, rolling back their transactions) while the core's side is left open and silent (what it
 *   sends is swallowed, no FIN or RST ever comes) — a network path lost without notice; new
 *   connections are accepted and never answered. `restore` does not revive the silent connections:
 *   they stay dead, as they would on a real network.
 */
export type NetworkFault = "cut" | "refuse" | "reset" | "stall" | "half-open";

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export class FaultProxy {
  readonly #target: { host: string; port: number };
  readonly #server: net.Server;
  readonly #pairs = new Set<Pair>();
  /** Sockets held open and silent (stalled or half-open new connections, half-open zombies). */
  readonly #held = new Set<net.Socket>();
  /** Of those, the core's side of connections made half-open: never revived. */
  readonly #zombies = new Set<net.Socket>();
  #fault: NetworkFault | undefined;
  #port = 0;
  #listening = false;
  /** Connections accepted so far (forwarded or not). */
  accepted = 0;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = net.createServer((client) => this.#accept(client));
  }

  get port(): number {
    return this.#port;
  }

  get fault(): NetworkFault | undefined {
    return this.#fault;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        this.#listening = true;
        this.#port = (this.#server.address() as net.AddressInfo).port;
        resolve(this.#port);
      });
    });
  }

  #accept(client: net.Socket): void {
    this.accepted++;
    client.on("error", () => client.destroy());
    switch (this.#fault) {
      case "cut":
      case "refuse":
        client.destroy();
        return;
      case "reset":
        client.resetAndDestroy();
        return;
      case "stall":
      case "half-open":
        this.#hold(client);
        return;
    }
    const upstream = net.connect(this.#target.port, this.#target.host);
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      if (!this.#pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop);
    upstream.on("error", drop).on("close", drop);
  }

  /** Keeps a socket open and silent: whatever comes is read and dropped, nothing goes back. */
  #hold(socket: net.Socket): void {
    this.#held.add(socket);
    socket.resume();
    socket.on("close", () => {
      this.#held.delete(socket);
      this.#zombies.delete(socket);
    });
  }

  #stopListening(): void {
    if (!this.#listening) return;
    this.#listening = false;
    this.#server.close();
  }

  inject(fault: NetworkFault): void {
    this.#fault = fault;
    const pairs = [...this.#pairs];
    switch (fault) {
      case "cut":
        this.#stopListening();
        this.#pairs.clear();
        for (const p of pairs) {
          p.client.destroy();
          p.upstream.destroy();
        }
        return;
      case "refuse":
      case "reset":
        if (fault === "refuse") this.#stopListening();
        this.#pairs.clear();
        for (const p of pairs) {
          p.client.resetAndDestroy();
          p.upstream.destroy();
        }
        return;
      case "stall":
        for (const p of pairs) {
          p.client.unpipe(p.upstream);
          p.upstream.unpipe(p.client);
          p.client.pause();
          p.upstream.pause();
        }
        return;
      case "half-open":
        this.#pairs.clear();
        for (const p of pairs) {
          p.client.unpipe(p.upstream);
          p.upstream.unpipe(p.client);
          p.client.removeAllListeners("close");
          p.upstream.removeAllListeners("close");
          p.upstream.on("error", () => {});
          p.upstream.destroy();
          this.#zombies.add(p.client);
          this.#hold(p.client);
        }
        return;
    }
  }

  /**
   * Ends the fault: listening again, new connections forwarded; stalled connections forward again.
   * Connections left half-open stay silent (they are dead); new silent connections are closed.
   */
  async restore(): Promise<void> {
    const was = this.#fault;
    this.#fault = undefined;
    if (was === "stall") {
      for (const p of this.#pairs) {
        p.client.pipe(p.upstream);
        p.upstream.pipe(p.client);
        p.client.resume();
        p.upstream.resume();
      }
    }
    for (const s of this.#held) if (!this.#zombies.has(s)) s.destroy();
    if (!this.#listening) await this.listen();
  }

  /** Drops everything, including half-open zombies, and stops listening. */
  close(): Promise<void> {
    this.#fault = "cut";
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.#pairs.clear();
    for (const s of this.#held) s.destroy();
    this.#held.clear();
    return new Promise((resolve) => {
      if (!this.#listening) return resolve();
      this.#listening = false;
      this.#server.close(() => resolve());
    });
  }
}
