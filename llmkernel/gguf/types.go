package gguf

import "fmt"

// ValueType is a metadata value's type.
type ValueType uint32

// Metadata value types (GGUF's gguf_type).
const (
	TypeUint8 ValueType = iota
	TypeInt8
	TypeUint16
	TypeInt16
	TypeUint32
	TypeInt32
	TypeFloat32
	TypeBool
	TypeString
	TypeArray
	TypeUint64
	TypeInt64
	TypeFloat64
)

var fixedSize = map[ValueType]uint64{
	TypeUint8: 1, TypeInt8: 1, TypeBool: 1, TypeUint16: 2, TypeInt16: 2,
	TypeUint32: 4, TypeInt32: 4, TypeFloat32: 4, TypeUint64: 8, TypeInt64: 8, TypeFloat64: 8,
}

// Value is a typed metadata value. Integers are held as uint64 or int64,
// floats as float64; arrays of strings, float32 and (u)int32 as typed
// slices, others as []Value.
type Value struct {
	Type ValueType
	v    any
}

// Uint returns a non-negative integer value.
func (v Value) Uint() (uint64, bool) {
	switch x := v.v.(type) {
	case uint64:
		return x, true
	case int64:
		return uint64(x), x >= 0
	}
	return 0, false
}

// Float returns a numeric value as float64.
func (v Value) Float() (float64, bool) {
	switch x := v.v.(type) {
	case float64:
		return x, true
	case uint64:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// Text returns a string value.
func (v Value) Text() (string, bool) {
	s, ok := v.v.(string)
	return s, ok
}

// Bool returns a boolean value.
func (v Value) Bool() (bool, bool) {
	b, ok := v.v.(bool)
	return b, ok
}

// Strings returns an array of strings.
func (v Value) Strings() ([]string, bool) {
	s, ok := v.v.([]string)
	return s, ok
}

// Float32s returns an array of float32.
func (v Value) Float32s() ([]float32, bool) {
	s, ok := v.v.([]float32)
	return s, ok
}

// Int32s returns an array of int32 or uint32 (as int32).
func (v Value) Int32s() ([]int32, bool) {
	s, ok := v.v.([]int32)
	return s, ok
}

// Type is a tensor's element type (GGML's ggml_type).
type Type uint32

// Tensor types this engine reads.
const (
	F32  Type = 0
	F16  Type = 1
	Q4_0 Type = 2
	Q8_0 Type = 8
	Q4_K Type = 12
	Q6_K Type = 14
	// Q8_K is not a weight type: it names the activations k-quant
	// products take.
	Q8_K Type = 15
)

var typeNames = map[Type]string{0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1",
	10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 30: "BF16"}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// typeInfo: elements per block and bytes per block of each supported type.
var typeInfo = map[Type]struct{ block, bytes uint64 }{
	F32:  {1, 4},
	F16:  {1, 2},
	Q4_0: {32, 2 + 16},
	Q8_0: {32, 2 + 32},
	Q4_K: {256, 2 + 2 + 12 + 128},
	Q6_K: {256, 128 + 64 + 16 + 2},
}

// Supported reports whether tensors of type t can be read.
func Supported(t Type) bool { _, ok := typeInfo[t]; return ok }

// BlockSize returns t's elements per block and bytes per block.
func BlockSize(t Type) (elems, bytes uint64) {
	i := typeInfo[t]
	return i.block, i.bytes
}

// Meta helpers: typed lookups that name the key in their errors.

// Uint returns metadata key as a non-negative integer.
func (f *File) Uint(key string) (uint64, error) {
	v, ok := f.Metadata[key]
	if !ok {
		return 0, fmt.Errorf("gguf: %s: no %s", f.Path, key)
	}
	u, ok := v.Uint()
	if !ok {
		return 0, fmt.Errorf("gguf: %s: %s is not a non-negative integer", f.Path, key)
	}
	return u, nil
}

// Float returns metadata key as a number, or def when absent.
func (f *File) Float(key string, def float64) (float64, error) {
	v, ok := f.Metadata[key]
	if !ok {
		return def, nil
	}
	x, ok := v.Float()
	if !ok {
		return 0, fmt.Errorf("gguf: %s: %s is not a number", f.Path, key)
	}
	return x, nil
}

// String returns metadata key as a string, or "" when absent.
func (f *File) String(key string) string {
	s, _ := f.Metadata[key].Text()
	return s
}
