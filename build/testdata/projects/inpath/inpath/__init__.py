VALUE = "built through backend-path"
