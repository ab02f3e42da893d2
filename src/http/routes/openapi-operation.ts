import type { ZodType } from 'zod';

/** One documented route: what the OpenAPI document says about it. */
export interface Operation {
  summary: string;
  auth?: boolean;
  body?: ZodType;
  /** The request body is raw bytes (application/octet-stream). */
  binaryBody?: boolean;
  /** The request body is a file: raw bytes of any type, or multipart/form-data with a `file` field. */
  fileBody?: boolean;
  responses: Record<string, string>;
}
