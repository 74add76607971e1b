"""The web portal ("My Extension", WEB-1..6): server-rendered pages in French and English."""
