"""What counsellors see of their students' questions: counts, never who asked."""
