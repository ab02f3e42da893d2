/**
 * Which update-log rows each loaded document already contains: the rows it was
 * loaded with and the rows appended for its own connections. A snapshot taken now
 * covers exactly these, so they are the rows its store may delete. Rows appended
 * by other instances are never listed here and so never deleted by mistake.
 */
export class LoggedSeqs {
  private readonly rooms = new Map<string, number[]>();

  add(roomId: string, seq: number): void {
    let seqs = this.rooms.get(roomId);
    if (!seqs) this.rooms.set(roomId, (seqs = []));
    seqs.push(seq);
  }

  /** The rows contained in the document right now (a copy). */
  current(roomId: string): number[] {
    return [...(this.rooms.get(roomId) ?? [])];
  }

  /** Forgets rows that a stored snapshot now covers. */
  remove(roomId: string, covered: number[]): void {
    const seqs = this.rooms.get(roomId);
    if (!seqs) return;
    const gone = new Set(covered);
    this.rooms.set(
      roomId,
      seqs.filter((seq) => !gone.has(seq)),
    );
  }

  delete(roomId: string): void {
    this.rooms.delete(roomId);
  }
}
