package bench

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// TestMain says once, without -v, why the benchmarks skip.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" && os.Getenv(DBEnv) == "" {
		fmt.Fprintln(os.Stderr, "bench: "+DBEnv+" is not set: every benchmark skips (see bench/README.md)")
	}
	os.Exit(m.Run())
}
