// A small HTTP proxy in front of a real S3 server that fails a fraction of requests the ways object stores do:
// 500 InternalError, 503 SlowDown, a connection reset before any answer, and a response cut off mid-body.
// Deterministic (seeded), so a failing run can be replayed. Host headers are forwarded untouched, so SigV4
// signatures made for the proxy's address stay valid at the server.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { prng } from '../helpers.ts';

export type Fault = 'ok' | 'error500' | 'slowdown503' | 'reset' | 'cut';

export interface FaultProxy {
  endpoint: string;
  /** Requests seen per outcome. */
  counts: Record<Fault, number>;
  /** Change the failure rate (0..1) on the fly, e.g. 0 while setting up. */
  setRate(rate: number): void;
  close(): Promise<void>;
}



const xmlError = (code: string, msg: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${msg}</Message><RequestId>fault-proxy</RequestId></Error>`;

export async function startFaultProxy(target: string, opts: { rate: number; seed?: number } = { rate: 0.2 }): Promise<FaultProxy> {
  const up = new URL(target);
  const rnd = prng(opts.seed ?? 12345);
  let rate = opts.rate;
  const counts: Record<Fault, number> = { ok: 0, error500: 0, slowdown503: 0, reset: 0, cut: 0 };
  const sockets = new Set<Socket>();

  const pick = (): Fault => {
    if (rnd() >= rate) return 'ok';
    const r = rnd();
    return r < 0.25 ? 'error500' : r < 0.5 ? 'slowdown503' : r < 0.75 ? 'reset' : 'cut';
  };

  const reply = (req: IncomingMessage, res: ServerResponse, status: number, body: string): void => {
    // Drain the request body first so the client sees the answer, not a write error.
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), connection: 'close' });
      res.end(body);
    });
  };

  const server: Server = createServer((req, res) => {
    const fault = pick();
    counts[fault]++;
    if (fault === 'error500') return reply(req, res, 500, xmlError('InternalError', 'We encountered an internal error. Please try again.'));
    if (fault === 'slowdown503') return reply(req, res, 503, xmlError('SlowDown', 'Please reduce your request rate.'));
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    const fwd = httpRequest(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (ures) => {
        if (fault === 'ok') {
          res.writeHead(ures.statusCode ?? 502, ures.headers);
          ures.pipe(res);
          return;
        }
        // 'cut': forward the headers and about half of the body, then drop the connection.
        const chunks: Buffer[] = [];
        ures.on('data', (c: Buffer) => chunks.push(c));
        ures.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(ures.statusCode ?? 502, ures.headers);
          if (body.length > 1) res.write(body.subarray(0, body.length >> 1));
          setImmediate(() => res.socket?.destroy());
        });
      },
    );
    fwd.on('error', () => res.socket?.destroy());
    req.pipe(fwd);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    setRate(r: number) {
      rate = r;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
