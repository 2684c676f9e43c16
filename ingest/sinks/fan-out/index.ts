export { createFanOutSink, type FanOutSinkConfig } from './fan-out-sink.ts';
