"""What users told us, and how it goes away: one conversation on request (:mod:`.tracker_db`,
/vergeet and the widget's new conversation), everything past the retention period on a schedule
(:mod:`.purge`, `vraagbaak privacy purge`)."""
