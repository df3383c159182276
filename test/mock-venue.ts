import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the venues' HTTP APIs, started by a test on 127.0.0.1. Routes answer with recorded
 * responses shaped exactly like the venues' documented ones; every request is kept so a test can check
 * what was sent (method, path, query, headers, body) and how often.
 */

export interface MockRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface MockReply {
  status?: number;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (for malformed bodies). */
  text?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (to provoke client timeouts). */
  delayMs?: number;
}

type Handler = (req: MockRequest) => MockReply | Promise<MockReply>;

interface Route {
  method: string;
  path: string | RegExp;
  handler: Handler;
  /** Answers left before the route retires (Infinity for a standing route). */
  times: number;
}

export class MockVenue {
  readonly requests: MockRequest[] = [];
  private routes: Route[] = [];
  private server: Server | null = null;
  url = "";

  /** A standing route. Later routes win over earlier ones for the same request. */
  on(method: string, path: string | RegExp, reply: MockReply | Handler): this {
    this.routes.unshift({ method, path, handler: typeof reply === "function" ? reply : () => reply, times: Infinity });
    return this;
  }

  /** A route that answers `times` requests and then steps aside for the routes beneath it. */
  once(method: string, path: string | RegExp, reply: MockReply | Handler, times = 1): this {
    this.routes.unshift({ method, path, handler: typeof reply === "function" ? reply : () => reply, times });
    return this;
  }

  reset(): void {
    this.routes = [];
    this.requests.length = 0;
  }

  /** Requests received for a method and path. */
  calls(method: string, path: string | RegExp): MockRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)));
  }

  /** Listens on 127.0.0.1 (a free port unless one is given) and returns the base URL. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const request: MockRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
    this.requests.push(request);
    const route = this.routes.find((r) => r.times > 0 && r.method === request.method && (typeof r.path === "string" ? r.path === request.path : r.path.test(request.path)));
    if (!route) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `mock venue: no route for ${request.method} ${request.path}` }));
      return;
    }
    route.times -= 1;
    try {
      const reply = await route.handler(request);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      const body = reply.text ?? (reply.json === undefined ? "" : JSON.stringify(reply.json));
      res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers }).end(body);
    } catch (error) {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: String(error) }));
    }
  }
}

interface CcxtCase {
  description: string;
  method: string;
  input: unknown[];
  httpResponse: unknown;
  parsedResponse: unknown;
}

/** Recorded venue responses from ccxt's MIT-licensed static tests (test/fixtures/ccxt, see its README). */
export function ccxtResponses(exchange: "binance" | "kalshi" | "polymarket"): Record<string, CcxtCase[]> {
  const file = path.join(__dirname, "fixtures/ccxt/response", `${exchange}.json`);
  return (JSON.parse(readFileSync(file, "utf8")) as { methods: Record<string, CcxtCase[]> }).methods;
}
