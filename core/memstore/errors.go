package memstore

import "fmt"

func errInvalidMode(m fmt.Stringer) error {
	return fmt.Errorf("memstore: invalid save mode %v", m)
}
