/** A stand-in's answer, independent of the HTTP server that carries it. */
export interface StandInResponse {
  status: number;
  body: unknown;
}
