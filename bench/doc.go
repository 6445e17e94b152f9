// Package bench holds Amparo's load and scale benchmarks. They run by hand, against a
// database made by bench/gen, and skip when AMPARO_BENCH_DB is not set, so that
// `go test ./...` never runs them. See README.md.
package bench
