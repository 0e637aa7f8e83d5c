package database

import (
	"errors"

	"gorm.io/gorm"
)

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine (gorm translates both when TranslateError is set).
func IsUniqueViolation(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// IsNotFound reports whether err means that no row matched.
func IsNotFound(err error) bool {
	return errors.Is(err, gorm.ErrRecordNotFound)
}
