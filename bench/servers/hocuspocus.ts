/**
 * Baseline: bare Hocuspocus v4 (`new Server()`, no extensions), as a team would start
 * it from the docs. Prints `READY <port>` once listening on 127.0.0.1.
 *
 * The stock package, installed under an alias (`hocuspocus-server-stock`, the same
 * version as ours): `@hocuspocus/server` itself carries our patches, and one of them
 * (awareness queries) is on by default, so importing it would measure a patched server.
 */
import { Server } from 'hocuspocus-server-stock';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false });
await server.listen();
console.log(`READY ${server.address.port}`);
process.on('SIGTERM', () => void server.destroy().finally(() => process.exit(0)));
