// The pipeline's Parquet writer. Implemented in parquet-write.ts (own encoder: PLAIN + RLE levels, data pages v1,
// zstd via node:zlib, deterministic bytes); parquet-wasm-writer.ts keeps the former arrow-rs based writer for benchmarks.
export { ParquetWriter, CREATED_BY } from './parquet-write.ts';
export type { ParquetWriterOptions, Row } from './parquet-write.ts';
