//go:build unix

package mmdb // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/mmdb"

import (
	"os"
	"syscall"
)

// mapFile maps f read-only. Pages load on first touch and are shared with
// the page cache, so resident memory is at most the file's size.
func mapFile(f *os.File, size int) ([]byte, func() error, error) {
	if size == 0 {
		return nil, func() error { return nil }, nil
	}
	buf, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return buf, func() error { return syscall.Munmap(buf) }, nil
}
