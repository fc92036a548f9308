package geodbtest

import (
	"encoding/binary"
	"fmt"
	"os"
)

// WriteSharedPointerBomb writes an IPv4 MaxMind DB whose one record (every
// address) is tiny on disk but astronomically large when expanded: under
// each of keys sits a map whose members "names" and "iso_code" both point
// to the same map one level down, depth levels deep, ending in a string.
// A decoder that follows every pointer does 2^depth work on it; that is the
// shape of a crafted file that hung the processor's former private decoder.
//
// mmdbwriter cannot write it (it expands values to deduplicate them), so
// the file is written byte by byte from the MaxMind DB format
// specification: a one-node search tree, the data section, the metadata.
func WriteSharedPointerBomb(path, databaseType string, depth int, keys ...string) error {
	var data []byte
	leaf := len(data)
	data = appendString(data, "leaf")
	below := leaf
	for range depth {
		at := len(data)
		data = append(data, 0xE0|2) // map of 2
		data = appendString(data, "names")
		data = appendPointer(data, below)
		data = appendString(data, "iso_code")
		data = appendPointer(data, below)
		below = at
	}
	record := len(data)
	data = append(data, 0xE0|byte(len(keys)))
	for _, k := range keys {
		data = appendString(data, k)
		data = appendPointer(data, below)
	}

	const nodeCount = 1
	var file []byte
	// The one node: both halves of the address space lead to the record.
	ref := uint32(nodeCount + 16 + record)
	for range 2 {
		file = append(file, byte(ref>>16), byte(ref>>8), byte(ref))
	}
	file = append(file, make([]byte, 16)...) // data section separator
	file = append(file, data...)
	file = append(file, "\xAB\xCD\xEFMaxMind.com"...)
	file = appendMetadata(file, databaseType, nodeCount)
	return writeAtomically(path, func(f *os.File) error {
		_, err := f.Write(file)
		return err
	})
}

func appendString(b []byte, s string) []byte {
	if len(s) >= 29 {
		panic(fmt.Sprintf("geodbtest: string %q too long for the short form", s))
	}
	b = append(b, 0x40|byte(len(s)))
	return append(b, s...)
}

// appendPointer writes a pointer to a data section offset (sizes 0-2 of
// the format: up to 526,335).
func appendPointer(b []byte, offset int) []byte {
	switch {
	case offset < 1<<11:
		return append(b, 0x20|byte(offset>>8), byte(offset))
	case offset < 1<<19+2048:
		v := offset - 2048
		return append(b, 0x28|byte(v>>16), byte(v>>8), byte(v))
	case offset < 1<<27+526336:
		v := offset - 526336
		return append(b, 0x30|byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	panic("geodbtest: pointer offset out of range")
}

func appendUint(b []byte, typ byte, v uint64, size int) []byte {
	if typ > 7 { // extended type
		b = append(b, byte(size), typ-7)
	} else {
		b = append(b, typ<<5|byte(size))
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], v)
	return append(b, buf[8-size:]...)
}

func appendMetadata(b []byte, databaseType string, nodeCount int) []byte {
	b = append(b, 0xE0|9) // map of 9
	b = appendString(b, "node_count")
	b = appendUint(b, 6, uint64(nodeCount), 4)
	b = appendString(b, "record_size")
	b = appendUint(b, 5, 24, 2)
	b = appendString(b, "ip_version")
	b = appendUint(b, 5, 4, 2)
	b = appendString(b, "database_type")
	b = appendString(b, databaseType)
	b = appendString(b, "languages")
	b = append(b, 1, 4) // array of 1 (extended type 11)
	b = appendString(b, "en")
	b = appendString(b, "binary_format_major_version")
	b = appendUint(b, 5, 2, 2)
	b = appendString(b, "binary_format_minor_version")
	b = appendUint(b, 5, 0, 2)
	b = appendString(b, "build_epoch")
	b = appendUint(b, 9, 1764547200, 8)
	b = appendString(b, "description")
	b = append(b, 0xE0|1)
	b = appendString(b, "en")
	return appendString(b, "crafted")
}
