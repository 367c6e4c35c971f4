//go:build !unix

package inputfile

import "os"

// openNonBlocking opens path for reading; outside Unix a named pipe cannot be
// reached through a plain path, so a normal open does not block.
func openNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}
