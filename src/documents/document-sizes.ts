/**
 * An upper bound of each loaded document's encoded size, kept without encoding the
 * document per message: exact when loaded or stored, plus the bytes of every update
 * since (updates only ever add to the bound).
 */
export class DocumentSizes {
  private readonly sizes = new Map<string, number>();
  private readonly measured = new Map<string, number>();

  /** Records an exact size (the encoded document, at load or store). */
  set(documentName: string, bytes: number): void {
    this.sizes.set(documentName, bytes);
    this.measured.set(documentName, bytes);
  }

  /** The size last measured exactly, without the updates since. */
  lastMeasured(documentName: string): number {
    return this.measured.get(documentName) ?? 0;
  }

  add(documentName: string, bytes: number): void {
    this.sizes.set(documentName, (this.sizes.get(documentName) ?? 0) + bytes);
  }

  get(documentName: string): number {
    return this.sizes.get(documentName) ?? 0;
  }

  delete(documentName: string): void {
    this.sizes.delete(documentName);
    this.measured.delete(documentName);
  }
}
