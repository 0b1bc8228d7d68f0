"""WTForms / Flask-WTF form classes, one module per area."""
