export { createHttpSink } from './http-sink.ts';
export type { HttpSinkConfig } from './http-sink-config.ts';
