package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"errors"
	"strconv"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// maxWalkDepth bounds how deep a configured path may reach into a record.
const maxWalkDepth = 16

var errTooDeep = errors.New("record nests too deeply")

// recordWalker decodes the wanted fields of one record through the
// library's cursor API, in a single pass over the record that enters only
// the branches leading to a wanted field (the path trie) and skips the
// rest. Its work is bounded by the record's encoded size: skipping does not
// follow pointers, and it follows one only along a wanted path, so records
// whose values share pointers cannot multiply it.
type recordWalker struct {
	paths *pathNode
	loc   *location
	ranks [numFields]int8 // rank+1 of the value taken; 0: none yet
}

// UnmarshalMaxMindDBCursor implements mmdbdata.CursorUnmarshaler: the
// library's Decode hands the record to it, and wants the cursor after the
// record back.
func (w *recordWalker) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return w.walk(c, w.paths, 0)
}

// walk reads the value at c along the trie node n and returns the cursor
// after it. Every value is passed over once: read when a field wants it,
// entered when it leads to one, skipped otherwise.
func (w *recordWalker) walk(c mmdbdata.Cursor, n *pathNode, depth int) (mmdbdata.Cursor, error) {
	if depth > maxWalkDepth {
		return mmdbdata.Cursor{}, errTooDeep
	}
	if len(n.leaves) > 0 {
		return w.readLeaf(c, n.leaves)
	}
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	switch {
	case kind == mmdbdata.KindMap && n.keys != nil:
		return w.walkMap(c, n, depth)
	case kind == mmdbdata.KindSlice && n.indexes != nil:
		return w.walkSlice(c, n, depth)
	}
	return c.Skip()
}

func (w *recordWalker) walkMap(c mmdbdata.Cursor, n *pathNode, depth int) (mmdbdata.Cursor, error) {
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		key, value, ok := m.Next(next)
		if !ok {
			break
		}
		if child := n.child(key); child != nil {
			next, err = w.walk(value, child, depth+1)
		} else {
			next, err = value.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return m.End()
}

func (w *recordWalker) walkSlice(c mmdbdata.Cursor, n *pathNode, depth int) (mmdbdata.Cursor, error) {
	s, err := c.Slice()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		i, value, ok := s.Next(next)
		if !ok {
			break
		}
		if child := n.indexes[int(i)]; child != nil {
			next, err = w.walk(value, child, depth+1)
		} else {
			next, err = value.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return s.End()
}

// readLeaf reads a scalar for the fields at a node; a value of a kind a
// field cannot hold is skipped.
func (w *recordWalker) readLeaf(c mmdbdata.Cursor, leaves []leaf) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	switch kind {
	case mmdbdata.KindString:
		s, next, err := c.ReadString()
		if err == nil {
			w.takeString(leaves, s)
		}
		return next, err
	case mmdbdata.KindFloat64, mmdbdata.KindFloat32:
		f, next, err := c.ReadFloat()
		if err == nil {
			for _, l := range leaves {
				if w.take(l) {
					w.loc.setFloat(l.field, f)
				}
			}
		}
		return next, err
	case mmdbdata.KindUint16, mmdbdata.KindUint32, mmdbdata.KindUint64, mmdbdata.KindInt32:
		v, signed, next, err := c.ReadInteger()
		if err == nil && (signed || v <= 1<<62) { // no field of ours holds a larger number
			w.takeInt(leaves, int64(v))
		}
		return next, err
	}
	return c.Skip()
}

func (w *recordWalker) takeString(leaves []leaf, s string) {
	for _, l := range leaves {
		if !w.take(l) {
			continue
		}
		switch l.field {
		case fieldLatitude, fieldLongitude:
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				w.loc.setFloat(l.field, f)
			}
		case fieldASNumber:
			if i, err := strconv.ParseInt(strings.TrimPrefix(s, "AS"), 10, 64); err == nil {
				w.loc.setInt(l.field, i)
			}
		default:
			w.loc.setString(l.field, s)
		}
	}
}

func (w *recordWalker) takeInt(leaves []leaf, n int64) {
	for _, l := range leaves {
		if !w.take(l) {
			continue
		}
		switch l.field {
		case fieldASNumber:
			w.loc.setInt(l.field, n)
		case fieldLatitude, fieldLongitude:
			w.loc.setFloat(l.field, float64(n))
		default:
			w.loc.setString(l.field, strconv.FormatInt(n, 10))
		}
	}
}

// take reports whether a value of this leaf's rank beats what the field
// has, and records it.
func (w *recordWalker) take(l leaf) bool {
	have := w.ranks[l.field]
	if have != 0 && int(have) <= l.rank+1 {
		return false
	}
	w.ranks[l.field] = int8(l.rank + 1)
	return true
}
