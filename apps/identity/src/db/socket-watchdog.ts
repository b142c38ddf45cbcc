import net from "node:net";
import { type Deadline, deadline } from "./deadline.ts";

/**
 * A socket for postgres.js (its `socket` option) that fails a connection whose server stops
 * answering. PostgreSQL answers every Sync ('S') and simple Query ('Q') message, and the start-up
 * message, with ReadyForQuery ('Z'), and a Flush ('H', which postgres.js sends after Parse/Describe
 * to learn a new statement's types) with whatever is pending; while answers are owed and no byte
 * has arrived for `timeoutMs`,
 * the socket is destroyed with an ETIMEDOUT error. postgres.js then rejects the queries on that
 * connection and the request answers 503 (see `isConnectionError`) instead of hanging — the case
 * `connect_timeout` does not cover: a server (or a proxy, or a half-dead network path) that keeps
 * the TCP connection open and says nothing. An idle connection owes nothing and is never timed out;
 * `suspended()` (migrations, which may legitimately run long) disarms it.
 *
 * Plain TCP only: with TLS the messages cannot be read, and the caller does not install it.
 */
export function watchedSocket(
  host: string,
  port: number,
  timeoutMs: number,
  suspended: () => boolean = () => false,
): net.Socket {
  const socket = net.connect(port, host);
  let owed = 0;
  let flushed = false; // a Flush was sent and nothing has come back since
  let timer: Deadline | undefined;
  const arm = () => {
    timer?.clear();
    timer = deadline(timeoutMs, () => {
      if (suspended()) return arm();
      const err = Object.assign(new Error(`the database did not answer within ${timeoutMs} ms`), {
        code: "ETIMEDOUT",
      });
      socket.destroy(err);
    });
  };
  const disarm = () => {
    timer?.clear();
    timer = undefined;
  };

  // Outgoing messages: the first (start-up) has no type byte; then type byte + int32 length.
  const out = frameReader(false, (type) => {
    if (type === 0x53 /* S */ || type === 0x51 /* Q */) owed++;
    else if (type === 0x48 /* H */) flushed = true;
  });
  owed = 1; // the start-up message is answered by the first ReadyForQuery
  const inc = frameReader(true, (type) => {
    if (type === 0x5a /* Z */ && owed > 0) owed--;
  });

  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) out(chunk as Uint8Array);
    if ((owed > 0 || flushed) && !timer) arm();
    return write(chunk, ...rest);
  }) as typeof socket.write;
  socket.on("data", (chunk: Buffer) => {
    inc(chunk);
    flushed = false;
    if (owed > 0) arm();
    else disarm();
  });
  socket.on("close", disarm);
  return socket;
}

/** Splits a byte stream into PostgreSQL protocol frames and reports each frame's type byte. */
function frameReader(typedFromStart: boolean, onFrame: (type: number) => void): (chunk: Uint8Array) => void {
  let typed = typedFromStart;
  const header = new Uint8Array(5);
  let have = 0; // header bytes collected
  let skip = 0; // body bytes of the current frame still to pass
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        i += n;
        skip -= n;
        continue;
      }
      const need = typed ? 5 : 4;
      header[have++] = chunk[i++]!;
      if (have < need) continue;
      const at = typed ? 1 : 0;
      const length =
        ((header[at]! << 24) | (header[at + 1]! << 16) | (header[at + 2]! << 8) | header[at + 3]!) >>> 0;
      skip = Math.max(0, length - 4);
      if (typed) onFrame(header[0]!);
      typed = true;
      have = 0;
    }
  };
}
