"""acme-app: the company's own code, installed editable (-e .)."""
import acme_triton

GREETING = "acme-app runs on acme-triton %s from the %s" % (acme_triton.__version__, acme_triton.ORIGIN)
