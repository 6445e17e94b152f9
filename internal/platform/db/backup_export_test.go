package db

import (
	"context"
	"os/exec"
)

// PGCommandForTest exposes pgCommand to the external tests.
func PGCommandForTest(tool, rawURL string, opts BackupOptions) (*exec.Cmd, error) {
	return pgCommand(context.Background(), tool, rawURL, opts)
}
