/**
 * An upper bound of each loaded document's encoded size, kept without encoding the
 * document per message: exact when loaded or stored, plus the bytes of every update
 * since (updates only ever add to the bound).
 */
export class DocumentSizes {
  private readonly sizes = new Map<string, number>();

  set(documentName: string, bytes: number): void {
    this.sizes.set(documentName, bytes);
  }

  add(documentName: string, bytes: number): void {
    this.sizes.set(documentName, (this.sizes.get(documentName) ?? 0) + bytes);
  }

  get(documentName: string): number {
    return this.sizes.get(documentName) ?? 0;
  }

  delete(documentName: string): void {
    this.sizes.delete(documentName);
  }
}
