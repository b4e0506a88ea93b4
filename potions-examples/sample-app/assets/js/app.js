window.potionsSample = { assets: "built" };
