/** /healthz (liveness), /readyz (can serve: state and backends), /metrics (Prometheus). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface HttpProbes {
  live(): boolean;
  /** Resolves when ready; rejects with the reason otherwise. */
  ready(): Promise<void>;
  registry: Registry;
  beforeScrape(): Promise<void>;
}

export class HttpServer {
  private readonly server: Server;
  port = 0;

  constructor(probes: HttpProbes, log: Logger) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
        res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
      if (path === '/healthz') return probes.live() ? send(200, 'ok\n') : send(503, 'stopping\n');
      if (path === '/readyz') {
        probes.ready().then(
          () => send(200, 'ready\n'),
          (err: unknown) => send(503, `not ready: ${err instanceof Error ? err.message : String(err)}\n`),
        );
        return;
      }
      if (path === '/metrics') {
        probes
          .beforeScrape()
          .then(() => probes.registry.metrics())
          .then(
            (text) => send(200, text, probes.registry.contentType),
            (err: unknown) => {
              log.error({ err }, 'metrics collection failed');
              send(500, 'metrics failed\n');
            },
          );
        return;
      }
      send(404, 'not found\n');
    });
  }

  listen(address: string): Promise<number> {
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(address.slice(i + 1));
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
