def greet():
    return "hello from the built wheel"
