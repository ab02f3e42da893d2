import net from 'node:net';

/**
 * A TCP proxy the test can cut and restore, to put a real network outage between
 * the server and PostgreSQL.
 */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private up = true;
  port = 0;

  private readonly target: { host: string; port: number };

  constructor(target: { host: string; port: number }) {
    this.target = target;
    this.server = net.createServer((client) => {
      if (!this.up) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** Drops every open connection and refuses new ones. */
  cut(): void {
    this.up = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A started proxy in front of the PostgreSQL server of `databaseUrl`, and that URL
 * pointed at the proxy: what a server under test connects to so the test can cut it.
 */
export async function proxyPostgres(databaseUrl: string): Promise<{ proxy: TcpProxy; databaseUrl: string }> {
  const direct = new URL(databaseUrl);
  const proxy = await new TcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) }).start();
  const viaProxy = new URL(databaseUrl);
  viaProxy.port = String(proxy.port);
  return { proxy, databaseUrl: viaProxy.toString() };
}
