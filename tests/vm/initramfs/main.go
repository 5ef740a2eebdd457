// initramfs writes the throwaway VM's initramfs (a newc cpio archive): the
// guest init as /init and the kernel modules it needs under /modules,
// numbered so that each follows the modules it depends on (read from each
// module's .modinfo "depends=", so no depmod is needed on the host).
//
//	initramfs -init guestinit -modules /lib/modules/VER -o out.cpio 9p overlay ...
package main

import (
	"bytes"
	"debug/elf"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	initPath := flag.String("init", "", "the guest init program")
	modDir := flag.String("modules", "", "the kernel's module tree")
	outPath := flag.String("o", "", "the archive to write")
	flag.Parse()
	if err := build(*initPath, *modDir, *outPath, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "initramfs:", err)
		os.Exit(1)
	}
}

func build(initPath, modDir, outPath string, wanted []string) error {
	paths, err := indexModules(modDir)
	if err != nil {
		return err
	}
	var order []string
	seen := map[string]bool{}
	var visit func(name string) error
	visit = func(name string) error {
		name = canonical(name)
		if seen[name] {
			return nil
		}
		seen[name] = true
		path, ok := paths[name]
		if !ok {
			return fmt.Errorf("module %s not found under %s", name, modDir)
		}
		deps, err := moduleDepends(path)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		order = append(order, name)
		return nil
	}
	for _, w := range wanted {
		if err := visit(w); err != nil {
			return err
		}
	}
	var a archive
	initBytes, err := os.ReadFile(initPath)
	if err != nil {
		return err
	}
	a.dir("modules")
	a.file("init", 0755, initBytes)
	for i, name := range order {
		b, err := os.ReadFile(paths[name])
		if err != nil {
			return err
		}
		a.file(fmt.Sprintf("modules/%02d-%s.ko", i, name), 0644, b)
	}
	a.trailer()
	return os.WriteFile(outPath, a.buf.Bytes(), 0644)
}

// canonical spells a module name as the kernel does: '-' and '_' are one.
func canonical(name string) string { return strings.ReplaceAll(name, "-", "_") }

func indexModules(dir string) (map[string]string, error) {
	paths := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".ko") {
			paths[canonical(strings.TrimSuffix(d.Name(), ".ko"))] = path
		}
		return nil
	})
	return paths, err
}

func moduleDepends(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("%s has no .modinfo", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := strings.CutPrefix(string(kv), "depends="); ok {
			if v == "" {
				return nil, nil
			}
			return strings.Split(v, ","), nil
		}
	}
	return nil, nil
}

// archive is a newc cpio stream, the format the kernel unpacks.
type archive struct {
	buf bytes.Buffer
	ino int
}

func (a *archive) entry(name string, mode int, data []byte) {
	a.ino++
	fmt.Fprintf(&a.buf, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		a.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	a.buf.WriteString(name)
	a.buf.WriteByte(0)
	a.pad()
	a.buf.Write(data)
	a.pad()
}

func (a *archive) pad() {
	for a.buf.Len()%4 != 0 {
		a.buf.WriteByte(0)
	}
}

func (a *archive) dir(name string)                         { a.entry(name, 040755, nil) }
func (a *archive) file(name string, perm int, data []byte) { a.entry(name, 0100000|perm, data) }
func (a *archive) trailer()                                { a.entry("TRAILER!!!", 0, nil) }
