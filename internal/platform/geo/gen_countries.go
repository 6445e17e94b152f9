//go:build ignore

// gen_countries writes countries_table.go from golang.org/x/text's CLDR data. Run it
// with `go generate ./internal/platform/geo/` after upgrading golang.org/x/text; the
// tests fail until the committed table matches what it writes.
package main

import (
	"bytes"
	"log"
	"os"

	"github.com/amparo-ec/amparo/internal/platform/geo/internal/countrygen"
)

func main() {
	var b bytes.Buffer
	if err := countrygen.Write(&b); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("countries_table.go", b.Bytes(), 0o644); err != nil {
		log.Fatalf("gen_countries: %v", err)
	}
}
