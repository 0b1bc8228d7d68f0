"""The ground floor: configuration, extensions, the database engine and its one transaction
wrapper (``transactions``, for the doors only), errors and error pages, logs, languages and the time
zone, signed tokens and headers, links and QR codes, short codes, labels and scales. Imports
nothing else of the package.
"""
