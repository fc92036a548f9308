package mmdb // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/mmdb"

import "fmt"

// decodeMetadata reads the metadata map that follows the marker.
func decodeMetadata(buf []byte) (Metadata, error) {
	s := Section{buf: buf}
	v, _, err := s.decodeAny(0, 0)
	if err != nil {
		return Metadata{}, fmt.Errorf("metadata: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return Metadata{}, invalid("metadata is not a map")
	}
	num := func(key string) (uint64, error) {
		n, ok := m[key].(int64)
		if !ok || n < 0 {
			return 0, invalid("metadata %s is missing or not an unsigned integer", key)
		}
		return uint64(n), nil
	}
	var md Metadata
	nodes, err := num("node_count")
	if err != nil {
		return md, err
	}
	if nodes > 1<<32-1 {
		return md, invalid("node_count %d is too large", nodes)
	}
	md.NodeCount = uint32(nodes)
	rs, err := num("record_size")
	if err != nil {
		return md, err
	}
	md.RecordSize = int(rs)
	ipv, err := num("ip_version")
	if err != nil {
		return md, err
	}
	md.IPVersion = int(ipv)
	if major, _ := num("binary_format_major_version"); major != 2 {
		return md, invalid("binary format version %d is not 2", major)
	}
	md.DatabaseType, _ = m["database_type"].(string)
	if epoch, err := num("build_epoch"); err == nil {
		md.BuildEpoch = epoch
	}
	if langs, ok := m["languages"].([]any); ok {
		for _, l := range langs {
			if s, ok := l.(string); ok {
				md.Languages = append(md.Languages, s)
			}
		}
	}
	return md, nil
}

// decodeAny decodes a value into Go types (string, int64, float64, bool,
// []byte, []any, map[string]any); for the metadata, which is small.
func (s Section) decodeAny(off uint32, depth int) (any, uint32, error) {
	if depth > maxNesting {
		return nil, 0, invalid("metadata nests too deeply")
	}
	it, err := s.Item(off)
	if err != nil {
		return nil, 0, err
	}
	switch it.Kind {
	case KindString:
		return string(s.Bytes(it)), it.Next, nil
	case KindBytes:
		return append([]byte(nil), s.Bytes(it)...), it.Next, nil
	case KindDouble, KindFloat:
		f, _ := s.Float(it)
		return f, it.Next, nil
	case KindBool:
		return it.Size == 1, it.Next, nil
	case KindUint16, KindUint32, KindUint64, KindUint128, KindInt32:
		n, ok := s.Int(it)
		if !ok {
			return nil, it.Next, nil // out of range: not needed from metadata
		}
		return n, it.Next, nil
	case KindMap:
		m := make(map[string]any, it.Size)
		pos := it.Payload
		for range it.Size {
			k, next, err := s.decodeAny(pos, depth+1)
			if err != nil {
				return nil, 0, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, 0, invalid("map key at %d is not a string", pos)
			}
			v, next2, err := s.decodeAny(next, depth+1)
			if err != nil {
				return nil, 0, err
			}
			m[key] = v
			pos = next2
		}
		if it.Next != 0 {
			return m, it.Next, nil
		}
		return m, pos, nil
	case KindArray:
		a := make([]any, 0, it.Size)
		pos := it.Payload
		for range it.Size {
			v, next, err := s.decodeAny(pos, depth+1)
			if err != nil {
				return nil, 0, err
			}
			a = append(a, v)
			pos = next
		}
		if it.Next != 0 {
			return a, it.Next, nil
		}
		return a, pos, nil
	}
	return nil, 0, invalid("unexpected type %d in metadata", it.Kind)
}

// Decode decodes the value at off into Go types (string, int64, float64,
// bool, []byte, []any, map[string]any). It allocates: for inspection, not
// for lookups.
func (s Section) Decode(off uint32) (any, error) {
	v, _, err := s.decodeAny(off, 0)
	return v, err
}
