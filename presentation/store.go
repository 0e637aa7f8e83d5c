package presentation

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
)

type row struct {
	MeetingID  string  `gorm:"primaryKey;size:64"`
	DocumentID *string `gorm:"size:64"`
	Version    int
	Page       int
	Pages      int
	Zoom       string `gorm:"size:200"`
	By         string `gorm:"size:64"`
	At         time.Time
}

func (row) TableName() string { return "presentations" }

// Migration creates the presentation table.
func Migration() database.Step {
	return database.Step{Name: "presentation", Run: func(tx *gorm.DB) error { return tx.AutoMigrate(&row{}) }}
}

type store struct {
	db *gorm.DB
}

func (s *store) get(ctx context.Context, meetingID string) (State, error) {
	var r row
	err := s.db.WithContext(ctx).Where("meeting_id = ?", meetingID).Take(&r).Error
	if database.IsNotFound(err) {
		return State{MeetingID: meetingID}, nil
	}
	if err != nil {
		return State{}, apperr.Internalf(err, "load presentation")
	}
	st := State{MeetingID: r.MeetingID, DocumentID: r.DocumentID, Version: r.Version, Page: r.Page, Pages: r.Pages, By: r.By, At: &r.At}
	if r.Zoom != "" {
		st.Zoom = &Region{}
		_ = json.Unmarshal([]byte(r.Zoom), st.Zoom)
	}
	return st, nil
}

// put upserts the state; page turns are not audited one by one (a chair
// turns hundreds), only the document shown is logged by the caller.
func (s *store) put(ctx context.Context, st State) error {
	r := row{MeetingID: st.MeetingID, DocumentID: st.DocumentID, Version: st.Version, Page: st.Page, Pages: st.Pages, By: st.By, At: *st.At}
	if st.Zoom != nil {
		b, _ := json.Marshal(st.Zoom)
		r.Zoom = string(b)
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error
	if err != nil {
		return apperr.Internalf(err, "save presentation")
	}
	return nil
}
