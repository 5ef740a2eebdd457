// Package itabdump is a test oracle built into the test programs: started
// with GOGRPCTRACE_DUMP_ITABS=1 in its environment, a program that imports
// it prints the runtime's own itab hash table and exits 0 before main runs.
// Every itab the linker emitted is added to that table by the runtime's
// itabsinit before any package is initialized, so the itabs that lie inside
// the executable's file mappings are exactly the compile-time itabs, seen
// by the runtime itself rather than by a reader of the file.
//
// Output, one line per itab of the table, fields separated by tabs:
//
//	itab ADDRESS static|dynamic CONCRETE CONCRETE_PKG INTERFACE INTERFACE_PKG FULL_PAIR
//
// CONCRETE and INTERFACE are reflect's String() (the runtime's spelling,
// "*tls.Conn"); the packages are PkgPath() of the named type, or of the
// element of a pointer type ("" where there is none); FULL_PAIR is
// "concrete,interface" with full package paths as the linker spells an
// itab symbol ("*crypto/tls.Conn,net.Conn"). A first line
//
//	table SIZE COUNT
//
// gives the table's size and its count of filled entries; a last line
// "end N" the number of itab lines.
//
// The table is reached with a pull linkname to runtime.itabTable; Go 1.23
// and later link that only with -ldflags=-checklinkname=0 (build.sh).
package itabdump

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"unsafe"
)

// EnvVar is the environment variable that asks for the dump.
const EnvVar = "GOGRPCTRACE_DUMP_ITABS"

// itabTable mirrors runtime.itabTableType: size (a power of two), count of
// filled entries, then size entries (the declared array is the starter
// table's length; a grown table is longer). The same layout in every Go
// release from 1.9 to 1.27.
type itabTable struct {
	size    uintptr
	count   uintptr
	entries [512]unsafe.Pointer
}

//go:linkname runtimeItabTable runtime.itabTable
var runtimeItabTable *itabTable

// itab mirrors the head of runtime.itab (internal/abi.ITab): the interface
// type, then the concrete type.
type itab struct {
	inter unsafe.Pointer
	typ   unsafe.Pointer
}

// eface is the layout of an empty interface value.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func init() {
	if os.Getenv(EnvVar) != "1" {
		return
	}
	if err := dump(os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "itabdump: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// typeOf makes a reflect.Type of a type descriptor pointer.
func typeOf(p unsafe.Pointer) reflect.Type {
	var x interface{}
	(*eface)(unsafe.Pointer(&x)).typ = p
	return reflect.TypeOf(x)
}

func dump(out *os.File) error {
	ranges, err := fileMappings()
	if err != nil {
		return err
	}
	static := func(a uintptr) bool {
		for _, r := range ranges {
			if a >= r[0] && a < r[1] {
				return true
			}
		}
		return false
	}
	t := runtimeItabTable
	if t == nil || t.size == 0 || t.size&(t.size-1) != 0 {
		return fmt.Errorf("runtime.itabTable does not look like an itab table")
	}
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "table\t%d\t%d\n", t.size, t.count)
	n := 0
	base := unsafe.Pointer(&t.entries)
	for i := uintptr(0); i < t.size; i++ {
		m := *(*unsafe.Pointer)(unsafe.Pointer(uintptr(base) + i*unsafe.Sizeof(uintptr(0))))
		if m == nil {
			continue
		}
		it := (*itab)(m)
		ct, it2 := typeOf(it.typ), typeOf(it.inter)
		kind := "dynamic"
		if static(uintptr(m)) {
			kind = "static"
		}
		fmt.Fprintf(w, "itab\t%#x\t%s\t%s\t%s\t%s\t%s\t%s,%s\n", uintptr(m), kind,
			ct.String(), pkgOf(ct), it2.String(), pkgOf(it2), fullName(ct), fullName(it2))
		n++
	}
	fmt.Fprintf(w, "end\t%d\n", n)
	return w.Flush()
}

// fileMappings are the address ranges mapped from the executable's file.
func fileMappings() ([][2]uintptr, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	var rs [][2]uintptr
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || strings.Join(f[5:], " ") != exe {
			continue
		}
		se := strings.SplitN(f[0], "-", 2)
		if len(se) != 2 {
			continue
		}
		s, err1 := strconv.ParseUint(se[0], 16, 64)
		e, err2 := strconv.ParseUint(se[1], 16, 64)
		if err1 == nil && err2 == nil {
			rs = append(rs, [2]uintptr{uintptr(s), uintptr(e)})
		}
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("/proc/self/maps shows no mapping of %s", exe)
	}
	return rs, nil
}

// pkgOf is the package path of t when named, else of its element when t is
// a pointer; "" otherwise.
func pkgOf(t reflect.Type) string {
	if t.Name() == "" && t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	return t.PkgPath()
}

// fullName spells t with full package paths, as the linker names itab
// symbols: "*crypto/tls.Conn", "interface { crypto/x509.query(string) (string, bool) }".
func fullName(t reflect.Type) string {
	var b strings.Builder
	writeType(&b, t)
	return b.String()
}

func writeType(b *strings.Builder, t reflect.Type) {
	if t.Name() != "" {
		// Named (or predeclared): the name already carries any type
		// arguments, spelled with full paths.
		if p := t.PkgPath(); p != "" {
			b.WriteString(p)
			b.WriteByte('.')
		}
		b.WriteString(t.Name())
		return
	}
	switch t.Kind() {
	case reflect.Ptr:
		b.WriteByte('*')
		writeType(b, t.Elem())
	case reflect.Slice:
		b.WriteString("[]")
		writeType(b, t.Elem())
	case reflect.Array:
		b.WriteString("[" + strconv.Itoa(t.Len()) + "]")
		writeType(b, t.Elem())
	case reflect.Map:
		b.WriteString("map[")
		writeType(b, t.Key())
		b.WriteByte(']')
		writeType(b, t.Elem())
	case reflect.Chan:
		switch t.ChanDir() {
		case reflect.RecvDir:
			b.WriteString("<-chan ")
			writeType(b, t.Elem())
		case reflect.SendDir:
			b.WriteString("chan<- ")
			writeType(b, t.Elem())
		default:
			b.WriteString("chan ")
			e := t.Elem()
			if e.Kind() == reflect.Chan && e.Name() == "" && e.ChanDir() == reflect.RecvDir {
				b.WriteByte('(')
				writeType(b, e)
				b.WriteByte(')')
			} else {
				writeType(b, e)
			}
		}
	case reflect.Func:
		b.WriteString("func")
		writeSignature(b, t)
	case reflect.Interface:
		if t.NumMethod() == 0 {
			b.WriteString("interface {}")
			return
		}
		b.WriteString("interface { ")
		for i := 0; i < t.NumMethod(); i++ {
			if i > 0 {
				b.WriteString("; ")
			}
			m := t.Method(i)
			if m.PkgPath != "" {
				b.WriteString(m.PkgPath)
				b.WriteByte('.')
			}
			b.WriteString(m.Name)
			writeSignature(b, m.Type)
		}
		b.WriteString(" }")
	case reflect.Struct:
		if t.NumField() == 0 {
			b.WriteString("struct {}")
			return
		}
		b.WriteString("struct { ")
		for i := 0; i < t.NumField(); i++ {
			if i > 0 {
				b.WriteString("; ")
			}
			f := t.Field(i)
			if !f.Anonymous {
				if f.PkgPath != "" {
					b.WriteString(f.PkgPath)
					b.WriteByte('.')
				}
				b.WriteString(f.Name)
				b.WriteByte(' ')
			}
			writeType(b, f.Type)
			if f.Tag != "" {
				b.WriteString(" " + strconv.Quote(string(f.Tag)))
			}
		}
		b.WriteString(" }")
	default:
		b.WriteString(t.String())
	}
}

// writeSignature writes "(params) results" of a func type.
func writeSignature(b *strings.Builder, t reflect.Type) {
	b.WriteByte('(')
	for i := 0; i < t.NumIn(); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if t.IsVariadic() && i == t.NumIn()-1 {
			b.WriteString("...")
			writeType(b, t.In(i).Elem())
		} else {
			writeType(b, t.In(i))
		}
	}
	b.WriteByte(')')
	switch t.NumOut() {
	case 0:
	case 1:
		b.WriteByte(' ')
		writeType(b, t.Out(0))
	default:
		b.WriteString(" (")
		for i := 0; i < t.NumOut(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			writeType(b, t.Out(i))
		}
		b.WriteByte(')')
	}
}
