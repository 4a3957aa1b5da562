"""Demo and scale data sets (`python app.py seed`)."""
