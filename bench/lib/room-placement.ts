/**
 * Where each client of a room connects, as production's load balancer places them
 * (deploy/nginx.conf: `hash /collab/<roomId> consistent`): every client of a room on the
 * room's home instance, except a share of "split" rooms whose readers alternate between
 * the home instance and the next one, as while a rebalance or failover moves a room's
 * clients over. The home is a CRC-32 of the room id modulo the instance count: spread
 * like nginx's hash, not its exact ketama ring (which instance a room lands on does not
 * matter here, only that the spread is even and fixed).
 */
import { crc32 } from 'node:zlib';

export interface PlacedClient {
  roomIndex: number;
  role: 'writer' | 'reader';
  /** Index of the instance this client connects to. */
  instance: number;
  /** Whether the room's writer is on another instance (its updates reach this client through Redis). */
  crossInstance: boolean;
}

export interface Placement {
  clients: PlacedClient[];
  /** Room indexes whose clients span two instances. */
  splitRooms: number[];
  /** Rooms per home instance. */
  roomsPerInstance: number[];
}

/**
 * @param rooms - room ids, in room-index order.
 * @param readersPerRoom - clients per room besides its one writer.
 * @param splitShare - fraction of rooms (0…1) split across two instances; every n-th room, so they spread evenly.
 */
export function placeRooms(rooms: string[], instances: number, readersPerRoom: number, splitShare: number): Placement {
  const clients: PlacedClient[] = [];
  const splitRooms: number[] = [];
  const roomsPerInstance = new Array<number>(instances).fill(0);
  const splitCount = Math.round(rooms.length * splitShare);
  rooms.forEach((room, roomIndex) => {
    const home = crc32(`/collab/${room}`) % instances;
    roomsPerInstance[home]!++;
    // Bresenham-style selection: exactly splitCount rooms, evenly spaced.
    const split =
      instances > 1 && Math.floor(((roomIndex + 1) * splitCount) / rooms.length) > Math.floor((roomIndex * splitCount) / rooms.length);
    if (split) splitRooms.push(roomIndex);
    clients.push({ roomIndex, role: 'writer', instance: home, crossInstance: false });
    for (let k = 0; k < readersPerRoom; k++) {
      const instance = split && k % 2 === 1 ? (home + 1) % instances : home;
      clients.push({ roomIndex, role: 'reader', instance, crossInstance: instance !== home });
    }
  });
  return { clients, splitRooms, roomsPerInstance };
}
