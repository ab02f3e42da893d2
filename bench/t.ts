import { LoadPool } from './lib/load.ts';
import { startTarget } from './lib/targets.ts';
import { measureConnections } from './scenarios/connections.ts';
import { measureFanOut } from './scenarios/fan-out.ts';
import { measureHotRoom } from './scenarios/hot-room.ts';
import { measureColdLoad } from './scenarios/cold-load.ts';
const names = (process.argv[2] ?? 'hocuspocus').split(',') as any[];
const which = (process.argv[3] ?? 'c,f,h,d').split(',');
const pool = new LoadPool(2);
const ctx = { quick: true, pool, log: (l: string) => console.log(`[${(performance.now()/1000).toFixed(1)}s] ${l}`) };
for (const n of names) {
  let t = await startTarget(n);
  if (which.includes('c')) await measureConnections(t, ctx);
  if (which.includes('f')) await measureFanOut(t, ctx);
  if (which.includes('h')) await measureHotRoom(t, ctx);
  if (which.includes('d')) t = (await measureColdLoad(t, ctx)).target;
  await t.stop();
}
await pool.close();
