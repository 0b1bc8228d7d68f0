"""L1: the ceiling of a GET under our gunicorn settings -- bare Flask, a constant route."""

from flask import Flask

app = Flask(__name__)
PAGE = "<!doctype html><title>ballot</title>" + "<p>constant</p>" * 40


@app.get("/b/<token>")
def ballot(token):
    return PAGE
